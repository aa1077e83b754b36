package io.shardwise.internal.query;

import java.util.stream.Collectors;

import org.hibernate.query.sqm.function.FunctionKind;
import org.hibernate.query.sqm.spi.BaseSemanticQueryWalker;
import org.hibernate.query.sqm.tree.SqmVisitableNode;
import org.hibernate.query.sqm.tree.domain.SqmPath;
import org.hibernate.query.sqm.tree.expression.SqmDistinct;
import org.hibernate.query.sqm.tree.expression.SqmFunction;
import org.hibernate.query.sqm.tree.expression.SqmLiteral;
import org.hibernate.query.sqm.tree.expression.SqmNamedParameter;
import org.hibernate.query.sqm.tree.expression.SqmOver;
import org.hibernate.query.sqm.tree.expression.SqmPositionalParameter;
import org.hibernate.query.sqm.tree.expression.SqmStar;
import org.hibernate.query.sqm.tree.from.SqmFrom;
import org.hibernate.query.sqm.tree.select.SqmSubQuery;

/**
 * Walks a part of an SQM tree and reports what a merge depends on: aggregate and window functions, subqueries.
 * Also renders expressions for error messages (SQM's own rendering leaves out some function arguments).
 */
final class SqmInspector extends BaseSemanticQueryWalker {
	boolean aggregate;
	boolean window;
	boolean subquery;
	String firstAggregate;

	static SqmInspector inspect(SqmVisitableNode node) {
		SqmInspector inspector = new SqmInspector();
		if ( node != null ) {
			node.accept( inspector );
		}
		return inspector;
	}

	@Override
	public Object visitFunction(SqmFunction<?> function) {
		FunctionKind kind = function.getFunctionDescriptor().getFunctionKind();
		if ( kind == FunctionKind.AGGREGATE || kind == FunctionKind.ORDERED_SET_AGGREGATE ) {
			aggregate = true;
			if ( firstAggregate == null ) {
				firstAggregate = describe( function );
			}
		}
		else if ( kind == FunctionKind.WINDOW ) {
			window = true;
		}
		return super.visitFunction( function );
	}

	@Override
	public Object visitOver(SqmOver<?> over) {
		window = true;
		return over;
	}

	@Override
	public Object visitSubQueryExpression(SqmSubQuery<?> expression) {
		subquery = true;
		return expression;
	}

	/** A readable rendering of an expression: {@code n.amount}, {@code sum(n.amount)}, {@code count(*)}. */
	static String describe(Object node) {
		if ( node instanceof SqmFrom<?, ?> from && from.getExplicitAlias() != null ) {
			return from.getExplicitAlias();
		}
		if ( node instanceof SqmPath<?> path ) {
			SqmPath<?> lhs = path.getLhs();
			String name = path.getReferencedPathSource().getPathName();
			return lhs == null ? name : describe( lhs ) + "." + name;
		}
		if ( node instanceof SqmFunction<?> f ) {
			return f.getFunctionName() + "(" + f.getArguments().stream().map( SqmInspector::describe )
					.collect( Collectors.joining( ", " ) ) + ")";
		}
		if ( node instanceof SqmStar ) {
			return "*";
		}
		if ( node instanceof SqmDistinct<?> d ) {
			return "distinct " + describe( d.getExpression() );
		}
		if ( node instanceof SqmLiteral<?> l ) {
			return String.valueOf( l.getLiteralValue() );
		}
		if ( node instanceof SqmNamedParameter<?> p ) {
			return ":" + p.getName();
		}
		if ( node instanceof SqmPositionalParameter<?> p ) {
			return "?" + p.getPosition();
		}
		if ( node instanceof SqmVisitableNode v ) {
			try {
				return v.toHqlString();
			}
			catch (RuntimeException e) {
				return node.getClass().getSimpleName();
			}
		}
		return String.valueOf( node );
	}
}
